variable "name_prefix" {
  description = "Prefix of alarm and topic names."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the alarm topic (its policy must admit cloudwatch.amazonaws.com)."
  type        = string
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "queue_name" {
  description = "Name of the checks queue."
  type        = string
}

variable "dlq_name" {
  description = "Name of the checks dead-letter queue."
  type        = string
}

variable "max_message_age_seconds" {
  description = "Alarm when the oldest check waited longer than this."
  type        = number
  default     = 600
}

variable "lambda_function_name" {
  description = "Rescheduler function name."
  type        = string
}

variable "db_instance_identifier" {
  description = "RDS instance identifier."
  type        = string
}

variable "rds_cpu_threshold_percent" {
  description = "RDS CPU alarm threshold."
  type        = number
  default     = 80
}

variable "rds_min_free_storage_gib" {
  description = "RDS free storage alarm threshold in GiB."
  type        = number
  default     = 5
}

variable "alb_arn_suffix" {
  description = "ARN suffix (app/<name>/<id>) of the ALB in front of the gateway; empty until it exists."
  type        = string
  default     = ""
}

variable "max_5xx_percent" {
  description = "Gateway 5xx alarm threshold, in percent of requests."
  type        = number
  default     = 5
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

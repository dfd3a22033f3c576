variable "name_prefix" {
  description = "Prefix of the role names."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster of the Pod Identity associations."
  type        = string
}

variable "namespace" {
  description = "Namespace the chart is installed in."
  type        = string
  default     = "pricewatch"
}

variable "gateway_service_account" {
  description = "The chart's gateway ServiceAccount (default name for release pricewatch)."
  type        = string
  default     = "pricewatch-gateway"
}

variable "worker_service_account" {
  description = "The chart's worker ServiceAccount."
  type        = string
  default     = "pricewatch-scraper-worker"
}

variable "rescheduler_service_account" {
  description = "The chart's rescheduler ServiceAccount (CronJob mode only)."
  type        = string
  default     = "pricewatch-rescheduler"
}

variable "create_rescheduler_role" {
  description = "Create the role for the rescheduler CronJob (when the Lambda is not used)."
  type        = bool
  default     = false
}

variable "create_keda_role" {
  description = "Create the role KEDA's operator uses to read the queue depth."
  type        = bool
  default     = true
}

variable "keda_namespace" {
  description = "Namespace of the KEDA operator."
  type        = string
  default     = "keda"
}

variable "keda_service_account" {
  description = "ServiceAccount of the KEDA operator."
  type        = string
  default     = "keda-operator"
}

variable "table_arn" {
  description = "ARN of the jobs table."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the checks queue."
  type        = string
}

variable "topic_arn" {
  description = "ARN of the price-alert topic."
  type        = string
}

variable "subscription_protocols" {
  description = "SNS protocols the gateway may subscribe users with (the app uses e-mail only)."
  type        = list(string)
  default     = ["email"]

  validation {
    condition     = length(setsubtract(var.subscription_protocols, ["email", "email-json", "sms"])) == 0
    error_message = "Only user-facing protocols (email, email-json, sms): never http(s), sqs, lambda or firehose."
  }
}

variable "kms_key_arn" {
  description = "Key that encrypts the table, the queue and the topic."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

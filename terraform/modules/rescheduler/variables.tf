variable "name" {
  description = "Function name."
  type        = string
}

variable "enabled" {
  description = "Whether the schedule runs (false when the chart's CronJob does the job instead)."
  type        = bool
  default     = true
}

variable "zip_path" {
  description = "Path of the deployment package built by CI (dist/rescheduler-lambda.zip, handler lambda.handler)."
  type        = string

  validation {
    condition     = endswith(var.zip_path, ".zip")
    error_message = "zip_path must point at a .zip file."
  }
}

variable "runtime" {
  description = "Lambda runtime. A variable because an older AWS provider may not know nodejs24.x yet; drop to nodejs22.x only if it must."
  type        = string
  default     = "nodejs24.x"

  validation {
    condition     = can(regex("^nodejs[0-9]+\\.x$", var.runtime))
    error_message = "runtime must be a Node.js runtime such as nodejs24.x."
  }
}

variable "architecture" {
  description = "arm64 (cheaper) or x86_64; the zip is pure JavaScript."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory (MB); CPU scales with it."
  type        = number
  default     = 256
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions (1: one pass at a time)."
  type        = number
  default     = 1
}

variable "schedule_expression" {
  description = "EventBridge schedule."
  type        = string
  default     = "rate(1 minute)"
}

variable "log_level" {
  description = "LOG_LEVEL of the function."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
}

variable "logs_kms_key_arn" {
  description = "KMS key for the log group (null: CloudWatch Logs default encryption)."
  type        = string
  default     = null
}

variable "table_name" {
  description = "JOBS_TABLE_NAME."
  type        = string
}

variable "table_arn" {
  description = "ARN of the jobs table (UpdateItem)."
  type        = string
}

variable "due_index_arn" {
  description = "ARN of the due-index (Query)."
  type        = string
}

variable "queue_url" {
  description = "CHECKS_QUEUE_URL."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the checks queue (SendMessage)."
  type        = string
}

variable "due_shards" {
  description = "DUE_SHARDS; must equal the chart's config.dueShards."
  type        = number
  default     = 8
}

variable "kms_key_arn" {
  description = "Key that encrypts the table, the queue and the function's environment."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

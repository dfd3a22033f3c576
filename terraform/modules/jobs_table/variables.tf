variable "name" {
  description = "Table name (the apps' JOBS_TABLE_NAME)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "A DynamoDB table name is 3-255 of [A-Za-z0-9_.-]."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse table deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

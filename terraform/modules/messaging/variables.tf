variable "name_prefix" {
  description = "Prefix of the queue and topic names (e.g. pricewatch-dev)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for SQS and SNS encryption (its policy must admit sqs, sns and the producers)."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

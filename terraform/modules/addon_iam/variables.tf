variable "name_prefix" {
  description = "Prefix of the role names."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster of the Pod Identity associations."
  type        = string
}

variable "hosted_zone_arns" {
  description = "Route 53 zones ExternalDNS may change; empty creates no ExternalDNS role."
  type        = list(string)
  default     = []
}

variable "secret_arns" {
  description = "Secrets Manager secrets the External Secrets Operator may read."
  type        = list(string)
}

variable "kms_key_arns" {
  description = "Customer managed keys that encrypt those secrets."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

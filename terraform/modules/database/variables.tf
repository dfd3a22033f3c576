variable "name" {
  description = "Identifier of the instance and prefix of its resources."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "db_subnet_group_name" {
  description = "DB subnet group over the isolated database subnets (network module)."
  type        = string
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the EKS node and cluster groups)."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL version (major or major.minor)."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^17(\\.[0-9]+)?$", var.engine_version))
    error_message = "The apps are built and tested against PostgreSQL 17."
  }
}

variable "instance_class" {
  description = "Instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100
}

variable "db_name" {
  description = "Database created at launch."
  type        = string
  default     = "pricewatch"
}

variable "master_username" {
  description = "Master user (its password lives in Secrets Manager)."
  type        = string
  default     = "pricewatch_admin"
}

variable "multi_az" {
  description = "Standby in a second AZ."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Automated backup retention (0 disables backups)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 0 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 0 and 35."
  }
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (throwaway environments only)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for storage and Performance Insights encryption."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "environment" {
  description = "Environment name; prefixes every resource as pricewatch-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lower-case letters, digits or dashes."
  }
}

variable "vpc_cidr" {
  description = "VPC CIDR (/16 recommended: pods take VPC addresses)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones (2 or 3)."
  type        = number
  default     = 2
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs: cheaper, and acceptable for dev only."
  type        = bool
  default     = true
}

variable "kubernetes_version" {
  description = "EKS version; the chart is validated against it (K8S_VERSION in tools/ci/infra-checks.sh)."
  type        = string
  default     = "1.34"
}

variable "eks_endpoint_public_access" {
  description = "Public API endpoint (restricted to eks_endpoint_public_access_cidrs). False: reach the cluster from inside the VPC (VPN, bastion, SSM)."
  type        = bool
  default     = true
}

variable "eks_endpoint_public_access_cidrs" {
  description = "Who may reach a public API endpoint: your office/VPN egress, never 0.0.0.0/0."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.eks_endpoint_public_access_cidrs, "0.0.0.0/0")
    error_message = "Do not open the Kubernetes API to the whole internet."
  }

  # An empty list with a public endpoint means 0.0.0.0/0 to EKS.
  validation {
    condition     = !var.eks_endpoint_public_access || length(var.eks_endpoint_public_access_cidrs) > 0
    error_message = "With eks_endpoint_public_access = true, list the CIDRs allowed to reach the API (an empty list means everyone)."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed system node group (Karpenter, CoreDNS and the add-on controllers); the apps run on Karpenter's nodes."
  type        = list(string)
  default     = ["m7i.large"]
}

variable "node_min_size" {
  description = "Minimum nodes."
  type        = number
  default     = 2
}

variable "node_max_size" {
  description = "Maximum nodes."
  type        = number
  default     = 3
}

variable "node_desired_size" {
  description = "Initial nodes."
  type        = number
  default     = 2
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_multi_az" {
  description = "RDS standby in a second AZ (off in dev)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "RDS automated backup retention in days."
  type        = number
  default     = 3
}

variable "db_deletion_protection" {
  description = "Protect the database from deletion (dev may turn it off to tear down)."
  type        = bool
  default     = true
}

variable "table_deletion_protection" {
  description = "Protect the jobs table from deletion."
  type        = bool
  default     = true
}

variable "rescheduler_lambda_enabled" {
  description = "Run the rescheduler as the Lambda (true) or as the chart's CronJob (false: the Lambda's schedule is disabled and a Pod Identity role is created for the CronJob)."
  type        = bool
  default     = true
}

variable "rescheduler_zip_path" {
  description = "Deployment package of the rescheduler built by CI (dist/rescheduler-lambda.zip)."
  type        = string
  default     = "../../../dist/rescheduler-lambda.zip"
}

variable "lambda_runtime" {
  description = "Lambda runtime of the rescheduler."
  type        = string
  default     = "nodejs24.x"
}

variable "due_shards" {
  description = "DUE_SHARDS, shared by the Lambda and the chart (config.dueShards)."
  type        = number
  default     = 8

  validation {
    condition     = var.due_shards >= 1 && var.due_shards <= 64
    error_message = "due_shards must be between 1 and 64 (the apps' limit)."
  }
}

variable "app_namespace" {
  description = "Kubernetes namespace of the chart (Pod Identity associations)."
  type        = string
  default     = "pricewatch"
}

variable "keda_enabled" {
  description = "Create the KEDA operator's role (the chart's scraperWorker.keda.enabled)."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Who receives alarm e-mails."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the gateway's ALB, once the chart created it (enables the 5xx alarm)."
  type        = string
  default     = ""
}

variable "dns_zone_name" {
  description = "Existing public Route 53 zone for api.<zone>; empty skips DNS."
  type        = string
  default     = ""
}

variable "public_hostname" {
  description = "Host name users reach, inside dns_zone_name (the chart's gateway.httpRoute.hostnames); empty means the zone apex."
  type        = string
  default     = ""
}

variable "app_secret_version" {
  description = "Version of the generated application secrets (database user password, JWT key): raise it to rotate them."
  type        = number
  default     = 1
}

variable "image_namespace" {
  description = "GHCR owner (lower case) the images and the chart are pushed under by CI: ghcr.io/<image_namespace>/pricewatch-<app>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.image_namespace))
    error_message = "image_namespace must be a lower-case GitHub owner name."
  }
}

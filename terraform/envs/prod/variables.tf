variable "image_namespace" {
  description = "GHCR owner (lower case) CI pushes the images and the chart under."
  type        = string
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "eks_endpoint_public_access_cidrs" {
  description = "Who may reach the Kubernetes API over its public endpoint (your office/VPN egress); empty keeps the endpoint private to the VPC."
  type        = list(string)
  default     = []
}

variable "alarm_emails" {
  description = "Who receives alarm e-mails."
  type        = list(string)
  default     = []
}

variable "dns_zone_name" {
  description = "Existing public Route 53 zone the service is published in; empty skips TLS and DNS."
  type        = string
  default     = ""
}

variable "public_hostname" {
  description = "Host inside that zone (empty: the zone apex)."
  type        = string
  default     = ""
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the gateway's ALB once the controller created it (enables the CloudWatch 5xx alarm; the in-cluster alert needs no such input)."
  type        = string
  default     = ""
}

variable "app_secret_version" {
  description = "Raise to rotate the generated application secrets (docs/DEPLOY.md)."
  type        = number
  default     = 1
}

variable "rescheduler_lambda_enabled" {
  description = "The rescheduler as the Lambda (true) or the chart's CronJob (false)."
  type        = bool
  default     = true
}

# dev: the same shape as prod, sized small: two AZs, one NAT gateway, a single-AZ burstable
# database that may be deleted, a public Kubernetes API limited to listed CIDRs. The sizes are
# the ones docs/COST.md prices.
locals {
  environment = "dev"
}

module "platform" {
  source = "../../modules/platform"

  environment = local.environment
  region      = var.region

  vpc_cidr           = "10.40.0.0/16"
  az_count           = 2
  single_nat_gateway = true

  eks_endpoint_public_access       = length(var.eks_endpoint_public_access_cidrs) > 0
  eks_endpoint_public_access_cidrs = var.eks_endpoint_public_access_cidrs
  node_instance_types              = ["t3.medium"]
  node_min_size                    = 2
  node_desired_size                = 2
  node_max_size                    = 3

  db_instance_class         = "db.t4g.micro"
  db_multi_az               = false
  db_backup_retention_days  = 3
  db_deletion_protection    = false
  table_deletion_protection = false

  rescheduler_lambda_enabled = var.rescheduler_lambda_enabled
  keda_enabled               = true

  alarm_emails       = var.alarm_emails
  alb_arn_suffix     = var.alb_arn_suffix
  dns_zone_name      = var.dns_zone_name
  public_hostname    = var.public_hostname
  app_secret_version = var.app_secret_version
  image_namespace    = var.image_namespace
}

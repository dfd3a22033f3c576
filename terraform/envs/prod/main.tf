# prod: three AZs with a NAT gateway each, Multi-AZ PostgreSQL with deletion protection and a
# week of backups, a private Kubernetes API unless CIDRs are listed, two system nodes. The
# apps' own nodes come from Karpenter (deploy/flux/infrastructure/configs/karpenter.yaml). The
# sizes are the ones docs/COST.md prices.
locals {
  environment = "prod"
}

module "platform" {
  source = "../../modules/platform"

  environment = local.environment
  region      = var.region

  vpc_cidr           = "10.50.0.0/16"
  az_count           = 3
  single_nat_gateway = false

  eks_endpoint_public_access       = length(var.eks_endpoint_public_access_cidrs) > 0
  eks_endpoint_public_access_cidrs = var.eks_endpoint_public_access_cidrs
  node_instance_types              = ["m7i.large"]
  node_min_size                    = 2
  node_desired_size                = 2
  node_max_size                    = 3

  db_instance_class         = "db.m7g.large"
  db_multi_az               = true
  db_backup_retention_days  = 7
  db_deletion_protection    = true
  table_deletion_protection = true

  rescheduler_lambda_enabled = var.rescheduler_lambda_enabled
  keda_enabled               = true

  alarm_emails       = var.alarm_emails
  alb_arn_suffix     = var.alb_arn_suffix
  dns_zone_name      = var.dns_zone_name
  public_hostname    = var.public_hostname
  app_secret_version = var.app_secret_version
  image_namespace    = var.image_namespace
}

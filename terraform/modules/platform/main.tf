# One pricewatch environment: network, EKS with Karpenter and the cluster add-ons' identities,
# PostgreSQL, the jobs table, the queue and topics, the rescheduler Lambda, the application
# secrets, TLS and DNS, alarms. terraform/envs/<env> call it with that environment's sizes.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name = "pricewatch-${var.environment}"
  tags = { Environment = var.environment }
}

# One customer managed key for the app's data at rest (table, queue, topics, Lambda env, RDS).
# The account statement delegates to IAM, so each role's own policy decides which principals
# use it (DynamoDB, RDS and the apps' roles go that way). Service principals that encrypt on
# their own behalf need the key policy itself: SNS and SQS (e.g. SNS -> SQS fan-out),
# CloudWatch (alarms publishing to the encrypted alarm topic) and EventBridge.
resource "aws_kms_key" "app" {
  description             = "${local.name} application data"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.app_key.json
}

resource "aws_kms_alias" "app" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.app.key_id
}

data "aws_iam_policy_document" "app_key" {
  # In a key policy, resource "*" means this key only, and the account statement is the
  # standard delegation to IAM that lets role policies grant use of the key.
  #checkov:skip=CKV_AWS_109:Key policy: "*" is this key; the root statement is AWS's default delegation to IAM.
  #checkov:skip=CKV_AWS_111:Key policy: "*" is this key; the root statement is AWS's default delegation to IAM.
  #checkov:skip=CKV_AWS_356:Key policy: resource "*" in a key policy refers to the key itself.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "ServicesEncryptForTheApp"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com", "sqs.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

module "network" {
  source = "../../modules/network"

  name               = local.name
  cidr               = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
  tags               = local.tags
}

module "eks" {
  source = "../../modules/eks"

  name                         = local.name
  kubernetes_version           = var.kubernetes_version
  vpc_id                       = module.network.vpc_id
  private_subnet_ids           = module.network.private_subnet_ids
  endpoint_public_access       = var.eks_endpoint_public_access
  endpoint_public_access_cidrs = var.eks_endpoint_public_access_cidrs
  node_instance_types          = var.node_instance_types
  node_min_size                = var.node_min_size
  node_max_size                = var.node_max_size
  node_desired_size            = var.node_desired_size
  tags                         = local.tags
}

# Karpenter's AWS side (controller role with its Pod Identity association, node role, spot
# interruption queue); the controller itself and its NodePools come from deploy/ (Flux).
module "karpenter" {
  source = "../../modules/karpenter"

  cluster_name = module.eks.cluster_name
  tags         = local.tags
}

module "database" {
  source = "../../modules/database"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  db_subnet_group_name       = module.network.database_subnet_group_name
  allowed_security_group_ids = [module.eks.node_security_group_id, module.eks.cluster_primary_security_group_id]
  instance_class             = var.db_instance_class
  multi_az                   = var.db_multi_az
  backup_retention_days      = var.db_backup_retention_days
  deletion_protection        = var.db_deletion_protection
  kms_key_arn                = aws_kms_key.app.arn
  tags                       = local.tags
}

module "jobs_table" {
  source = "../../modules/jobs_table"

  name                = "${local.name}-jobs"
  kms_key_arn         = aws_kms_key.app.arn
  deletion_protection = var.table_deletion_protection
  tags                = local.tags
}

module "messaging" {
  source = "../../modules/messaging"

  name_prefix = local.name
  kms_key_arn = aws_kms_key.app.arn
  tags        = local.tags
}

module "rescheduler" {
  source = "../../modules/rescheduler"

  name          = "${local.name}-rescheduler"
  enabled       = var.rescheduler_lambda_enabled
  zip_path      = var.rescheduler_zip_path
  runtime       = var.lambda_runtime
  table_name    = module.jobs_table.table_name
  table_arn     = module.jobs_table.table_arn
  due_index_arn = module.jobs_table.due_index_arn
  queue_url     = module.messaging.checks_queue_url
  queue_arn     = module.messaging.checks_queue_arn
  due_shards    = var.due_shards
  kms_key_arn   = aws_kms_key.app.arn
  tags          = local.tags
}

module "iam" {
  source = "../../modules/iam"

  name_prefix             = local.name
  cluster_name            = module.eks.cluster_name
  namespace               = var.app_namespace
  create_rescheduler_role = !var.rescheduler_lambda_enabled
  create_keda_role        = var.keda_enabled
  table_arn               = module.jobs_table.table_arn
  queue_arn               = module.messaging.checks_queue_arn
  topic_arn               = module.messaging.alerts_topic_arn
  kms_key_arn             = aws_kms_key.app.arn
  tags                    = local.tags
}

# Identities of the cluster add-ons that call AWS: the AWS Load Balancer Controller (the ALB
# behind the Gateway), ExternalDNS (the Route 53 record of the HTTPRoute's hostname) and the
# External Secrets Operator (the database and application secrets).
module "addon_iam" {
  source = "../../modules/addon_iam"

  name_prefix      = local.name
  cluster_name     = module.eks.cluster_name
  hosted_zone_arns = var.dns_zone_name == "" ? [] : [module.dns[0].zone_arn]
  secret_arns = [
    module.database.master_user_secret_arn,
    aws_secretsmanager_secret.app.arn,
  ]
  kms_key_arns = [aws_kms_key.app.arn]
  tags         = local.tags
}

# The application's own secrets, generated here and never stored in Terraform state
# (write-only attribute and ephemeral values: Terraform >= 1.11): the password of the
# application's database user (not the master) and the JWT signing key. The External Secrets
# Operator copies them into the cluster. Raise app_secret_version to rotate them
# (docs/DEPLOY.md, "Rotating secrets").
resource "aws_secretsmanager_secret" "app" {
  name                    = "${local.name}/app"
  description             = "pricewatch ${var.environment}: application database user password and JWT signing key"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 7
  #checkov:skip=CKV2_AWS_57:Rotated by raising app_secret_version (a new write-only value) and the database-user hook, not by a rotation Lambda.
}

ephemeral "random_password" "db_app" {
  length  = 40
  special = false
}

ephemeral "random_password" "jwt" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string_wo = jsonencode({
    DATABASE_APP_PASSWORD = ephemeral.random_password.db_app.result
    JWT_SECRET            = ephemeral.random_password.jwt.result
  })
  secret_string_wo_version = var.app_secret_version
}

module "observability" {
  source = "../../modules/observability"

  name_prefix            = local.name
  kms_key_arn            = aws_kms_key.app.arn
  alarm_emails           = var.alarm_emails
  queue_name             = module.messaging.checks_queue_name
  dlq_name               = module.messaging.checks_dlq_name
  lambda_function_name   = module.rescheduler.function_name
  db_instance_identifier = module.database.instance_identifier
  alb_arn_suffix         = var.alb_arn_suffix
  tags                   = local.tags
}

# The ACM certificate of the public hostname, validated through DNS in the same apply. The
# record that points the hostname at the ALB is ExternalDNS's job (it reads the HTTPRoute), so
# no second apply is needed once the load balancer exists.
module "dns" {
  source = "../../modules/dns"
  count  = var.dns_zone_name == "" ? 0 : 1

  zone_name = var.dns_zone_name
  hostname  = var.public_hostname
  tags      = local.tags
}

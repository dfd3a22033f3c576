# PostgreSQL 17 for users (the gateway). Encrypted, in the isolated database subnets, reachable
# only from the cluster's security groups; the master password is generated and rotated by
# RDS in Secrets Manager, so it never appears in Terraform state.
resource "aws_security_group" "db" {
  #checkov:skip=CKV2_AWS_5:Attached to the DB instance through module.db (vpc_security_group_ids), which checkov cannot follow into the registry module.
  name_prefix = "${var.name}-db-"
  description = "PostgreSQL for ${var.name}: only from the EKS cluster"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-db" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_cluster" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "PostgreSQL from the EKS cluster"
}

module "db" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/rds/aws"
  version = "~> 7.0"

  identifier = var.name

  engine               = "postgres"
  engine_version       = var.engine_version
  family               = "postgres${split(".", var.engine_version)[0]}"
  major_engine_version = split(".", var.engine_version)[0]
  instance_class       = var.instance_class

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_name  = var.db_name
  username = var.master_username
  port     = 5432

  manage_master_user_password = true

  db_subnet_group_name   = var.db_subnet_group_name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = var.multi_az

  backup_retention_period          = var.backup_retention_days
  deletion_protection              = var.deletion_protection
  skip_final_snapshot              = var.skip_final_snapshot
  final_snapshot_identifier_prefix = "${var.name}-final"
  copy_tags_to_snapshot            = true
  auto_minor_version_upgrade       = true

  iam_database_authentication_enabled = true
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = var.kms_key_arn
  create_monitoring_role              = true
  monitoring_interval                 = 60
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]

  parameters = [
    # Connections must use TLS.
    { name = "rds.force_ssl", value = "1" },
    { name = "log_min_duration_statement", value = "1000" },
  ]

  tags = var.tags
}

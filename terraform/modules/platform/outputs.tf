# Everything the Helm values need, plus a ready-made values file:
#   terraform output -raw helm_values > ../../../.cache/values-dev.yaml
output "aws_region" {
  description = "config.awsRegion"
  value       = var.region
}

output "cluster_name" {
  description = "For aws eks update-kubeconfig --name <cluster_name>."
  value       = module.eks.cluster_name
}

output "checks_queue_url" {
  description = "config.checksQueueUrl"
  value       = module.messaging.checks_queue_url
}

output "jobs_table_name" {
  description = "config.jobsTableName"
  value       = module.jobs_table.table_name
}

output "alerts_topic_arn" {
  description = "config.alertsTopicArn"
  value       = module.messaging.alerts_topic_arn
}

output "gateway_role_arn" {
  description = "Role of the gateway ServiceAccount (Pod Identity association already made)."
  value       = module.iam.gateway_role_arn
}

output "worker_role_arn" {
  description = "Role of the worker ServiceAccount (Pod Identity association already made)."
  value       = module.iam.worker_role_arn
}

output "keda_operator_role_arn" {
  description = "Role of the KEDA operator (Pod Identity association for keda/keda-operator)."
  value       = module.iam.keda_operator_role_arn
}

output "db_endpoint" {
  description = "PostgreSQL host:port, for the DATABASE_URL in the Kubernetes Secret."
  value       = module.database.endpoint
}

output "db_name" {
  description = "Database name, for the DATABASE_URL."
  value       = module.database.db_name
}

output "db_master_user_secret_arn" {
  description = "Secrets Manager secret with the master credentials (rotated by RDS)."
  value       = module.database.master_user_secret_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the CloudWatch alarms."
  value       = module.observability.alarm_topic_arn
}

output "public_subnet_cidrs" {
  description = "gateway.networkPolicy.ingressCidrs when an ALB in IP mode fronts the gateway."
  value       = module.network.public_subnet_cidrs
}

output "helm_values" {
  description = "Helm values for this environment's AWS resources; pass with -f."
  value = yamlencode({
    config = {
      awsRegion      = var.region
      jobsTableName  = module.jobs_table.table_name
      checksQueueUrl = module.messaging.checks_queue_url
      alertsTopicArn = module.messaging.alerts_topic_arn
      dueShards      = var.due_shards
    }
    gateway = {
      # An ALB in IP target mode reaches the pods from the public subnets.
      networkPolicy = { ingressCidrs = module.network.public_subnet_cidrs }
    }
    scraperWorker = {
      keda = { enabled = var.keda_enabled }
    }
    rescheduler = { enabled = !var.rescheduler_lambda_enabled }
  })
}

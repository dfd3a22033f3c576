# Everything the Helm values and the cluster add-ons need, plus ready-made files:
#   terraform output -raw helm_values       the chart's environment values
#   terraform output -raw cluster_settings  the variables Flux substitutes into deploy/
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

output "vpc_cidr" {
  description = "config.trustProxy: the ALB's addresses are in the VPC, clients' are not."
  value       = module.network.vpc_cidr_block
}

output "db_app_secret_arn" {
  description = "Secrets Manager secret with the application's database password and JWT key (External Secrets Operator)."
  value       = aws_secretsmanager_secret.app.arn
}

output "public_hostname" {
  description = "The public host name (gateway.httpRoute.hostnames); empty without a DNS zone."
  value       = var.dns_zone_name == "" ? "" : module.dns[0].fqdn
}

output "certificate_arn" {
  description = "Validated ACM certificate of the public host name (the Gateway's HTTPS listener)."
  value       = var.dns_zone_name == "" ? "" : module.dns[0].certificate_arn
}

output "karpenter_node_role_name" {
  description = "IAM role of the nodes Karpenter launches (EC2NodeClass spec.role)."
  value       = module.karpenter.node_role_name
}

output "karpenter_interruption_queue" {
  description = "SQS queue of spot interruption and rebalance events (Karpenter settings.interruptionQueue)."
  value       = module.karpenter.interruption_queue_name
}

# The values deploy/flux substitutes (${cluster_name}, ...) in the add-on and platform
# manifests: store them as the ConfigMap flux-system/cluster-settings (docs/DEPLOY.md).
output "cluster_settings" {
  description = "Variables for Flux postBuild substitution, as a KEY=value env file."
  value = join("\n", [
    "cluster_name=${module.eks.cluster_name}",
    "environment=${var.environment}",
    "aws_region=${var.region}",
    "vpc_id=${module.network.vpc_id}",
    "vpc_cidr=${module.network.vpc_cidr_block}",
    "public_hostname=${var.dns_zone_name == "" ? "" : module.dns[0].fqdn}",
    "certificate_arn=${var.dns_zone_name == "" ? "" : module.dns[0].certificate_arn}",
    "dns_zone_name=${var.dns_zone_name}",
    "karpenter_node_role=${module.karpenter.node_role_name}",
    "karpenter_interruption_queue=${module.karpenter.interruption_queue_name}",
    "db_endpoint=${module.database.endpoint}",
    "db_name=${module.database.db_name}",
    "db_master_secret_arn=${module.database.master_user_secret_arn}",
    "db_app_secret_arn=${aws_secretsmanager_secret.app.arn}",
    "jobs_table_name=${module.jobs_table.table_name}",
    "checks_queue_url=${module.messaging.checks_queue_url}",
    "alerts_topic_arn=${module.messaging.alerts_topic_arn}",
    join("\n", [for i, cidr in module.network.public_subnet_cidrs : "public_subnet_cidr_${i}=${cidr}"]),
    "image_namespace=${var.image_namespace}",
    "",
  ])
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
      # The ALB's addresses are in the VPC, clients' never are: trust exactly those hops.
      trustProxy = module.network.vpc_cidr_block
    }
    gateway = {
      # An ALB in IP target mode reaches the pods from the public subnets.
      networkPolicy = { ingressCidrs = module.network.public_subnet_cidrs }
      httpRoute     = { hostnames = var.dns_zone_name == "" ? [] : [module.dns[0].fqdn] }
    }
    scraperWorker = {
      keda = { enabled = var.keda_enabled }
    }
    rescheduler = { enabled = !var.rescheduler_lambda_enabled }
  })
}

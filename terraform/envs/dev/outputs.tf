# Every output of the environment (terraform output; -raw helm_values, -raw cluster_settings).
output "aws_region" {
  description = "config.awsRegion"
  value       = module.platform.aws_region
}

output "cluster_name" {
  description = "For aws eks update-kubeconfig --name <cluster_name>."
  value       = module.platform.cluster_name
}

output "checks_queue_url" {
  description = "config.checksQueueUrl"
  value       = module.platform.checks_queue_url
}

output "jobs_table_name" {
  description = "config.jobsTableName"
  value       = module.platform.jobs_table_name
}

output "db_endpoint" {
  description = "PostgreSQL host:port."
  value       = module.platform.db_endpoint
}

output "db_master_user_secret_arn" {
  description = "Master credentials, rotated by RDS (read by the database-user hook only)."
  value       = module.platform.db_master_user_secret_arn
}

output "db_app_secret_arn" {
  description = "The application's database password and JWT key."
  value       = module.platform.db_app_secret_arn
}

output "public_hostname" {
  description = "The public host name."
  value       = module.platform.public_hostname
}

output "certificate_arn" {
  description = "The validated ACM certificate."
  value       = module.platform.certificate_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the CloudWatch alarms."
  value       = module.platform.alarm_topic_arn
}

output "cluster_settings" {
  description = "KEY=value variables Flux substitutes into deploy/ (ConfigMap flux-system/cluster-settings)."
  value       = module.platform.cluster_settings
}

output "helm_values" {
  description = "Helm values for this environment's AWS resources."
  value       = module.platform.helm_values
}

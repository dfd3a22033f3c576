output "endpoint" {
  description = "host:port of the instance."
  value       = module.db.db_instance_endpoint
}

output "address" {
  description = "Host name of the instance."
  value       = module.db.db_instance_address
}

output "db_name" {
  description = "Database name."
  value       = var.db_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the master credentials (managed by RDS)."
  value       = module.db.db_instance_master_user_secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.db.id
}

output "instance_identifier" {
  description = "DB instance identifier (CloudWatch dimension)."
  value       = module.db.db_instance_identifier
}

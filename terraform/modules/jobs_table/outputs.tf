output "table_name" {
  description = "Table name (Helm config.jobsTableName)."
  value       = module.table.dynamodb_table_id
}

output "table_arn" {
  description = "Table ARN."
  value       = module.table.dynamodb_table_arn
}

output "due_index_arn" {
  description = "ARN of the due-index (what the rescheduler may Query)."
  value       = "${module.table.dynamodb_table_arn}/index/due-index"
}

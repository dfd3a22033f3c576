output "function_name" {
  description = "Function name (CloudWatch dimension)."
  value       = module.lambda.lambda_function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = module.lambda.lambda_function_arn
}

output "role_arn" {
  description = "Execution role ARN."
  value       = module.lambda.lambda_role_arn
}

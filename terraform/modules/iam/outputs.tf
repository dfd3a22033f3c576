output "gateway_role_arn" {
  description = "Role of the gateway pods."
  value       = module.gateway.iam_role_arn
}

output "worker_role_arn" {
  description = "Role of the worker pods."
  value       = module.worker.iam_role_arn
}

output "rescheduler_role_arn" {
  description = "Role of the rescheduler CronJob pods (null unless created)."
  value       = module.rescheduler.iam_role_arn
}

output "keda_operator_role_arn" {
  description = "Role of the KEDA operator (null unless created)."
  value       = module.keda_operator.iam_role_arn
}

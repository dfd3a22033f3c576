output "node_role_name" {
  description = "IAM role of Karpenter's nodes (EC2NodeClass spec.role)."
  value       = module.karpenter.node_iam_role_name
}

output "interruption_queue_name" {
  description = "SQS queue of interruption events (Karpenter settings.interruptionQueue)."
  value       = module.karpenter.queue_name
}

output "controller_role_arn" {
  description = "IAM role of the Karpenter controller (Pod Identity association made)."
  value       = module.karpenter.iam_role_arn
}

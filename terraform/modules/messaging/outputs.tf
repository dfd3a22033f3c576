output "checks_queue_url" {
  description = "URL of the checks queue (Helm config.checksQueueUrl)."
  value       = module.checks_queue.queue_url
}

output "checks_queue_arn" {
  description = "ARN of the checks queue."
  value       = module.checks_queue.queue_arn
}

output "checks_queue_name" {
  description = "Name of the checks queue (CloudWatch dimension)."
  value       = module.checks_queue.queue_name
}

output "checks_dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.checks_queue.dead_letter_queue_arn
}

output "checks_dlq_name" {
  description = "Name of the dead-letter queue (CloudWatch dimension)."
  value       = module.checks_queue.dead_letter_queue_name
}

output "alerts_topic_arn" {
  description = "ARN of the price-alert topic (Helm config.alertsTopicArn)."
  value       = module.alerts_topic.topic_arn
}

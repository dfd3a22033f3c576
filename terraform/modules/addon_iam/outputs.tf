output "aws_load_balancer_controller_role_arn" {
  description = "Role of kube-system/aws-load-balancer-controller."
  value       = module.aws_load_balancer_controller.iam_role_arn
}

output "external_dns_role_arn" {
  description = "Role of external-dns/external-dns (empty without a zone)."
  value       = module.external_dns.iam_role_arn
}

output "external_secrets_role_arn" {
  description = "Role of external-secrets/external-secrets."
  value       = module.external_secrets.iam_role_arn
}

output "cloudwatch_exporter_role_arn" {
  description = "Role of monitoring/cloudwatch-exporter."
  value       = module.cloudwatch_exporter.iam_role_arn
}

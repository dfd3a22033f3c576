output "fqdn" {
  description = "Public host name (the chart's gateway.httpRoute.hostnames)."
  value       = local.fqdn
}

output "zone_id" {
  description = "Hosted zone ID."
  value       = data.aws_route53_zone.this.zone_id
}

output "zone_arn" {
  description = "Hosted zone ARN (ExternalDNS's permission)."
  value       = data.aws_route53_zone.this.arn
}

output "certificate_arn" {
  description = "ARN of the issued certificate (after DNS validation)."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

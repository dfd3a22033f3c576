output "api_fqdn" {
  description = "Public name of the API (the chart's gateway.httpRoute.hostnames)."
  value       = "${var.api_subdomain}.${var.zone_name}"
}

output "zone_id" {
  description = "Hosted zone ID."
  value       = data.aws_route53_zone.this.zone_id
}

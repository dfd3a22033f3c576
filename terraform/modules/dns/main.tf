# api.<zone> -> the load balancer in front of the gateway. The load balancer is created by the
# AWS Load Balancer Controller from the chart's Gateway/Ingress, so its DNS name is an input;
# with it empty (first apply, before the chart) no record is created.
data "aws_route53_zone" "this" {
  name         = var.zone_name
  private_zone = false
}

resource "aws_route53_record" "api" {
  for_each = var.lb_dns_name == "" ? toset([]) : toset(["A"])

  zone_id = data.aws_route53_zone.this.zone_id
  name    = "${var.api_subdomain}.${var.zone_name}"
  type    = each.value

  alias {
    name                   = var.lb_dns_name
    zone_id                = var.lb_zone_id
    evaluate_target_health = true
  }
}

variable "zone_name" {
  description = "Existing public hosted zone (e.g. pricewatch.example.com)."
  type        = string
}

variable "api_subdomain" {
  description = "Host of the API inside the zone."
  type        = string
  default     = "api"
}

variable "lb_dns_name" {
  description = "DNS name of the load balancer in front of the gateway; empty to skip the records."
  type        = string
  default     = ""
}

variable "lb_zone_id" {
  description = "Hosted zone ID of that load balancer (its canonical zone)."
  type        = string
  default     = ""
}

variable "zone_name" {
  description = "Existing public hosted zone (e.g. pricewatch.example.com)."
  type        = string
}

variable "hostname" {
  description = "Host inside the zone users reach (the web app and the API); empty means the zone apex."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "cluster_name" {
  description = "EKS cluster Karpenter provisions nodes for."
  type        = string
}

variable "namespace" {
  description = "Namespace of the Karpenter controller (its Pod Identity association)."
  type        = string
  default     = "kube-system"
}

variable "service_account" {
  description = "ServiceAccount of the Karpenter controller."
  type        = string
  default     = "karpenter"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

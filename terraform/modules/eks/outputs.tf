output "cluster_name" {
  description = "EKS cluster name (for Pod Identity associations and aws eks update-kubeconfig)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "API server endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA of the API server."
  value       = module.eks.cluster_certificate_authority_data
}

output "node_security_group_id" {
  description = "Security group of the nodes (pods share it with the VPC CNI defaults); the database admits it."
  value       = module.eks.node_security_group_id
}

output "cluster_primary_security_group_id" {
  description = "The EKS-created cluster security group, attached to managed nodes."
  value       = module.eks.cluster_primary_security_group_id
}

output "oidc_provider_arn" {
  description = "OIDC provider ARN, for IRSA roles."
  value       = module.eks.oidc_provider_arn
}

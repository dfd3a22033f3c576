# The single jobs table (libs/jobs-domain/src/table-schema.ts is the source of truth for keys,
# the due-index and the TTL attribute). On-demand capacity: load follows users' schedules, and
# the rescheduler's queries are small and frequent.
module "table" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/dynamodb-table/aws"
  version = "~> 5.0"

  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attributes = [
    { name = "pk", type = "S" },
    { name = "sk", type = "S" },
    { name = "dueShard", type = "S" },
    { name = "nextCheckAt", type = "N" },
  ]

  # Sparse: only jobs that can fall due carry dueShard. KEYS_ONLY because the rescheduler
  # needs only the keys to claim a job and enqueue its ids.
  global_secondary_indexes = [
    {
      name            = "due-index"
      hash_key        = "dueShard"
      range_key       = "nextCheckAt"
      projection_type = "KEYS_ONLY"
    }
  ]

  # Price history expires.
  ttl_enabled        = true
  ttl_attribute_name = "expiresAt"

  point_in_time_recovery_enabled = true

  server_side_encryption_enabled     = true
  server_side_encryption_kms_key_arn = var.kms_key_arn

  deletion_protection_enabled = var.deletion_protection

  tags = var.tags
}

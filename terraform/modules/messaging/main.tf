# The "checks" queue (rescheduler and gateway -> worker) with its dead-letter queue, and the
# price-alert topic. Values mirror CHECKS_QUEUE in libs/jobs-domain/src/table-schema.ts.
module "checks_queue" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/sqs/aws"
  version = "~> 5.0"

  name = "${var.name_prefix}-checks"

  # Longer than the worker's hard deadline per check, which extends it by heartbeat anyway.
  visibility_timeout_seconds = 120
  message_retention_seconds  = 4 * 24 * 3600
  receive_wait_time_seconds  = 20

  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300

  create_dlq                    = true
  dlq_name                      = "${var.name_prefix}-checks-dlq"
  dlq_message_retention_seconds = 14 * 24 * 3600
  dlq_kms_master_key_id         = var.kms_key_arn
  redrive_policy = {
    # After 5 receives a message is poison (the job's own failure count handles flaky sites).
    maxReceiveCount = 5
  }

  tags = var.tags
}

module "alerts_topic" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/sns/aws"
  version = "~> 7.0"

  name              = "${var.name_prefix}-price-alerts"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

# Alarms that page someone, each named for what it means (docs/DEPLOY.md "Alarms" says what
# to do). They notify one SNS topic; subscribe e-mail, chat or an incident tool to it.
module "alarm_topic" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/sns/aws"
  version = "~> 7.0"

  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = var.kms_key_arn

  subscriptions = { for i, email in var.alarm_emails : "email-${i}" => {
    protocol = "email"
    endpoint = email
  } }

  tags = var.tags
}

locals {
  actions = [module.alarm_topic.topic_arn]
}

# A message reached the DLQ: a check failed 5 times in a row for a reason that is not the
# site's (a bug, a poison message, a dependency down).
resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name_prefix}-checks-dlq-not-empty"
  alarm_description   = "Messages in the checks DLQ: checks failing repeatedly. See docs/DEPLOY.md#alarms."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.dlq_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# Checks wait too long: workers are down, stuck or too few for the load.
resource "aws_cloudwatch_metric_alarm" "oldest_message_age" {
  alarm_name          = "${var.name_prefix}-checks-oldest-message-age"
  alarm_description   = "The oldest check waited more than ${var.max_message_age_seconds}s: the worker is not keeping up. See docs/DEPLOY.md#alarms."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = var.queue_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.max_message_age_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# The rescheduler fails: no job becomes due, so no check runs (silently, from a user's view).
resource "aws_cloudwatch_metric_alarm" "rescheduler_errors" {
  alarm_name          = "${var.name_prefix}-rescheduler-errors"
  alarm_description   = "The rescheduler Lambda failed in 3 of the last 5 minutes. See docs/DEPLOY.md#alarms."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.lambda_function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name_prefix}-rds-cpu-high"
  alarm_description   = "PostgreSQL CPU above ${var.rds_cpu_threshold_percent}% for 15 minutes. See docs/DEPLOY.md#alarms."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.rds_cpu_threshold_percent
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_free_storage" {
  alarm_name          = "${var.name_prefix}-rds-free-storage-low"
  alarm_description   = "PostgreSQL free storage below ${var.rds_min_free_storage_gib} GiB. See docs/DEPLOY.md#alarms."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.rds_min_free_storage_gib * 1024 * 1024 * 1024
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# The gateway answers 5xx for more than the threshold share of requests. The ALB is created by
# the AWS Load Balancer Controller from the chart's Gateway/Ingress, so its ARN suffix is an
# input known after the first deploy; the alarm exists once it is set.
resource "aws_cloudwatch_metric_alarm" "gateway_5xx_rate" {
  count = var.alb_arn_suffix == "" ? 0 : 1

  alarm_name          = "${var.name_prefix}-gateway-5xx-rate"
  alarm_description   = "More than ${var.max_5xx_percent}% of API requests failed with 5xx over 5 minutes. See docs/DEPLOY.md#alarms."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.max_5xx_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "rate"
    expression  = "100 * (errors_target + errors_elb) / MAX([requests, 1])"
    label       = "5xx percent"
    return_data = true
  }

  metric_query {
    id = "errors_target"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "errors_elb"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  tags = var.tags
}

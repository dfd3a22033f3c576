terraform {
  # 1.11: write-only attributes and ephemeral values (the generated secrets never reach the
  # state); 1.11.1 is also what the rds module's 7.x line requires.
  required_version = ">= 1.11.1"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
    random = {
      source = "hashicorp/random"
      # 3.7: the ephemeral random_password.
      version = ">= 3.7, < 4.0"
    }
  }
}

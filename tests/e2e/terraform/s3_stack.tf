terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
# S3 as a deployment uses it: a versioned bucket with a policy, an object holding a function's package, and the
# function created from it. tests/e2e/test_terraform_s3.py applies it, expects a second plan with no changes, and
# destroys it.
variable "endpoint" { type = string }
variable "package" { type = string }
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    iam    = var.endpoint
    lambda = var.endpoint
    sts    = var.endpoint
    s3     = var.endpoint
  }
}
resource "aws_s3_bucket" "artifacts" {
  bucket = "tf-artifacts"
  tags   = { team = "platform" }
}
resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureDeletes"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:DeleteBucket"
      Resource  = aws_s3_bucket.artifacts.arn
      Condition = { StringEquals = { "aws:PrincipalAccount" = "999999999999" } }
    }]
  })
}
resource "aws_s3_object" "package" {
  bucket = aws_s3_bucket.artifacts.id
  key    = "functions/fn.zip"
  source = var.package
  etag   = filemd5(var.package)
  # Written once versioning is on, so it has a version id (and destroy removes every version).
  depends_on = [aws_s3_bucket_versioning.artifacts]
}
resource "aws_iam_role" "fn" {
  name = "tf-s3-fn-role"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_role_policy_attachment" "fn" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}
resource "aws_lambda_function" "fn" {
  function_name = "tf-s3-fn"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  s3_bucket     = aws_s3_object.package.bucket
  s3_key        = aws_s3_object.package.key
  environment { variables = { STAGE = "s3" } }
  depends_on    = [aws_iam_role_policy_attachment.fn]
}
output "function_arn" { value = aws_lambda_function.fn.arn }
output "object_version" { value = aws_s3_object.package.version_id }

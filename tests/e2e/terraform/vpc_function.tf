terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
# A VPC function as teams deploy it: public and private subnets, IGW, NAT gateway with its Elastic IP, route
# tables, security groups with rules of both styles, an execution role, a log group, and a python function in the
# private subnets, its stage read from an SSM parameter through a data source. tests/e2e/test_terraform.py applies it
# in two regions at once, expects a second plan with no changes in each, and destroys both.
variable "endpoint" { type = string }
variable "region" {
  type    = string
  default = "us-east-1"
}
variable "package" { type = string }
provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  endpoints {
    ec2    = var.endpoint
    iam    = var.endpoint
    lambda = var.endpoint
    sts    = var.endpoint
    logs   = var.endpoint
    ssm    = var.endpoint
  }
}
resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
  tags = { Name = "tf-main" }
}
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.20.0.0/24"
  availability_zone       = "${var.region}a"
  map_public_ip_on_launch = true
}
resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.${count.index + 1}.0/24"
  availability_zone = "${var.region}${count.index == 0 ? "a" : "b"}"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_eip" "nat" {
  domain = "vpc"
}
resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  depends_on    = [aws_internet_gateway.igw]
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route" "private_nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}
resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "fn" {
  name        = "fn"
  description = "function"
  vpc_id      = aws_vpc.main.id
}
resource "aws_vpc_security_group_egress_rule" "fn_https" {
  security_group_id = aws_security_group.fn.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}
resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = aws_vpc.main.id
}
resource "aws_vpc_security_group_ingress_rule" "db_from_fn" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.fn.id
  from_port                    = 5432
  to_port                      = 5432
  ip_protocol                  = "tcp"
}
resource "aws_security_group_rule" "fn_to_db" {
  type                     = "egress"
  security_group_id        = aws_security_group.fn.id
  source_security_group_id = aws_security_group.db.id
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
}
resource "aws_iam_role" "fn" {
  # IAM is global: one role per region's stack.
  name = "tf-fn-role-${var.region}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17",
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_role_policy_attachment" "vpc" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}
resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/tf-fn"
  retention_in_days = 7
  tags              = { team = "platform" }
}
resource "aws_ssm_parameter" "stage" {
  name  = "/tf-fn/stage"
  type  = "String"
  value = "test"
}
data "aws_ssm_parameter" "stage" {
  name = aws_ssm_parameter.stage.name
}
data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}
resource "aws_lambda_function" "fn" {
  function_name    = "tf-fn"
  role             = aws_iam_role.fn.arn
  runtime          = "python3.12"
  handler          = "index.handler"
  filename         = var.package
  source_code_hash = filebase64sha256(var.package)
  memory_size      = 256
  timeout          = 10
  environment {
    variables = { STAGE = data.aws_ssm_parameter.stage.value }
  }
  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.fn.id]
  }
  depends_on = [aws_iam_role_policy_attachment.vpc, aws_cloudwatch_log_group.fn]
}
output "function_arn" { value = aws_lambda_function.fn.arn }
output "vpc_id" { value = aws_vpc.main.id }
output "al2023_image" {
  value     = data.aws_ssm_parameter.al2023.value
  sensitive = true
}

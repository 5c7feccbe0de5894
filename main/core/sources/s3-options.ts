/**
 * Where and as whom an `s3://` source is read. Its own module because both the S3 backend and
 * the AWS profile reader speak it, and neither should import the other for a type.
 */
export interface S3SourceOptions {
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/**
 * The commercial regions AWS enables for every account. Any other region is opt-in: an account that
 * has not enabled it gets UnrecognizedClientException from the regional Lambda endpoint.
 */
export const DEFAULT_ENABLED_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'sa-east-1',
];

export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;

export function isDefaultEnabledRegion(region: string): boolean {
  return DEFAULT_ENABLED_REGIONS.includes(region);
}

/** asl-validator 4 ships no types: the part of its API the tests use. */
declare module 'asl-validator' {
  interface ValidationOptions {
    /** Check JSONPath expressions (default true). */
    checkPaths?: boolean;
    /** Check that Task Resource values are ARNs (default true). */
    checkArn?: boolean;
  }
  interface ValidationResult {
    isValid: boolean;
    errors: { message?: string; path?: string }[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: ValidationOptions): ValidationResult;
  export default aslValidator;
}

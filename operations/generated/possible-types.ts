
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "SignInPinExpiredError",
      "SignInThrottledError",
      "TwoFactorRequiredError",
      "ValidationError"
    ],
    "SignInPinStatus": [
      "SignInPinExpiredError",
      "SignInPinPending",
      "SignInSuccess"
    ],
    "SignInResult": [
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "SignInSuccess",
      "SignInThrottledError",
      "TwoFactorRequiredError",
      "ValidationError"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "SignInPinExpiredError",
      "SignInThrottledError",
      "TwoFactorRequiredError",
      "ValidationError"
    ],
    "SignInPinStatus": [
      "SignInPinExpiredError",
      "SignInPinPending",
      "SignInSuccess"
    ],
    "SignInResult": [
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "SignInSuccess",
      "SignInThrottledError",
      "TwoFactorRequiredError",
      "ValidationError"
    ]
  }
};
      export default result;
    
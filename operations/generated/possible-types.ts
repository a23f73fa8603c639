
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "DeviceRevokedError",
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "RefreshTokenInvalidError",
      "SignInPinExpiredError",
      "SignInThrottledError",
      "TwoFactorRequiredError",
      "ValidationError"
    ],
    "RefreshAuthTokenResult": [
      "AuthTokenRefreshed",
      "DeviceRevokedError",
      "RefreshTokenInvalidError",
      "SignInThrottledError"
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
      "DeviceRevokedError",
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "RefreshTokenInvalidError",
      "SignInPinExpiredError",
      "SignInThrottledError",
      "TwoFactorRequiredError",
      "ValidationError"
    ],
    "RefreshAuthTokenResult": [
      "AuthTokenRefreshed",
      "DeviceRevokedError",
      "RefreshTokenInvalidError",
      "SignInThrottledError"
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
    
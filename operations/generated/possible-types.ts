
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "DeviceNotFoundError",
      "DeviceRevokedError",
      "HomeUserNotFoundError",
      "HomeUserPinInvalidError",
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "RefreshTokenInvalidError",
      "RevokeDeviceRefusedError",
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
    "RevokeDeviceResult": [
      "DeviceNotFoundError",
      "RevokeDeviceRefusedError",
      "RevokeDeviceSuccess"
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
    ],
    "SwitchHomeUserResult": [
      "HomeUserNotFoundError",
      "HomeUserPinInvalidError",
      "SignInSuccess",
      "SignInThrottledError"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Error": [
      "DeviceNotFoundError",
      "DeviceRevokedError",
      "HomeUserNotFoundError",
      "HomeUserPinInvalidError",
      "InvalidCredentialsError",
      "InvalidVerificationCodeError",
      "RefreshTokenInvalidError",
      "RevokeDeviceRefusedError",
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
    "RevokeDeviceResult": [
      "DeviceNotFoundError",
      "RevokeDeviceRefusedError",
      "RevokeDeviceSuccess"
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
    ],
    "SwitchHomeUserResult": [
      "HomeUserNotFoundError",
      "HomeUserPinInvalidError",
      "SignInSuccess",
      "SignInThrottledError"
    ]
  }
};
      export default result;
    
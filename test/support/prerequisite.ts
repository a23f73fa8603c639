/**
 * The error for a missing prerequisite (a program the tests need that is not installed): its whole report is its
 * one-line message, which names the program and how to install it. A stack trace would add nothing.
 */
export function prerequisiteError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

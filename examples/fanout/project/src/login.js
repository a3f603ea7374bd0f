export function login() {
  return "login";
}

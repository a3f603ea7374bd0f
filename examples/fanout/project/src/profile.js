export function profile() {
  return "profile";
}

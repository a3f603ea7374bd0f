export function checkout() {
  return "checkout";
}

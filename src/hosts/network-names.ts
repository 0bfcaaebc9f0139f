// What a network-ish input may be: a host name (RFC 1123), an IPv4 or IPv6 address, a network interface name.
// Such values end up in shell commands and environment variables on every node of a run, so they are checked
// for what they are at the door (zod) and never trusted to be harmless after quoting alone.
import { isIP } from "node:net";
import { z } from "zod";

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
export function isHostName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = (value.endsWith(".") ? value.slice(0, -1) : value).split(".");
  return labels.every((l) => LABEL.test(l));
}

/** A host name or an IP address (v4 or v6, no brackets, no port). */
export function isHostAddress(value: string): boolean {
  return isIP(value) !== 0 || isHostName(value);
}

/** Linux interface names: at most 15 bytes (IFNAMSIZ), no slash, no space, not "." or "..". */
export function isInterfaceName(value: string): boolean {
  return /^[A-Za-z0-9_.:-]{1,15}$/.test(value) && value !== "." && value !== "..";
}

export const HostAddressSchema = z.string().min(1).refine(isHostAddress, {
  message: "must be a host name (e.g. node1.cluster) or an IP address (e.g. 10.0.0.11), without port or spaces",
});

export const InterfaceNameSchema = z.string().refine(isInterfaceName, {
  message: "must be a network interface name such as eth0 or enp189s0f0 (15 characters at most)",
});

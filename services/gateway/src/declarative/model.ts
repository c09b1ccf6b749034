import type { KeyObject } from 'node:crypto';

/** The loaded, validated configuration the gateway runs: what kong.yml describes, ready to use. */
export interface Consumer {
  id: string;
  username: string | undefined;
  customId: string | undefined;
}

export interface Credential {
  id: string;
  key: string;
  algorithm: 'RS256';
  publicKey: KeyObject;
  consumer: Consumer;
}

export interface Service {
  id: string;
  name: string;
  url: URL;
  connectTimeoutMs: number;
  writeTimeoutMs: number;
  readTimeoutMs: number;
  retries: number;
}

export interface PathMatcher {
  /** The path as written in kong.yml. */
  source: string;
  regex: RegExp | undefined;
  /** Length of a plain prefix; regexes sort after by Kong's rules. */
  prefixLength: number;
  /** Returns the matched part of the path, or undefined. */
  match(path: string): string | undefined;
}

export interface Route {
  id: string;
  name: string;
  service: Service;
  paths: PathMatcher[];
  methods: Set<string> | undefined;
  stripPath: boolean;
  preserveHost: boolean;
  regexPriority: number;
  responseBuffering: boolean;
  /** Declaration order, Kong's last tie-breaker (created_at). */
  order: number;
}

export interface PluginInstance {
  id: string;
  name: string;
  scope: 'global' | 'service' | 'route';
  serviceName: string | undefined;
  routeName: string | undefined;
  config: unknown;
}

export interface GatewayModel {
  services: Service[];
  routes: Route[];
  plugins: PluginInstance[];
  credentials: Map<string, Credential>;
}

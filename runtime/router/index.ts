/** wampkit/router: the embedded WAMP router. */
export { Router } from './router.js';
export { normalizeRouterOptions, LISTENER_DEFAULTS } from './config.js';
export { RouterErrorCode } from './error-codes.js';
export type {
  RouterOptions, RealmConfig, ListenerConfig, WebSocketListenerConfig, RawSocketListenerConfig, SerializerName, KeepaliveConfig,
} from './config.js';
export type { RoutingCore } from './realm.js';
export type { Broker, BrokerSubscription, PublishRequest } from './broker.js';
export type { Dealer, DealerRegistration, CallRequest } from './dealer.js';
export type { RouterPeer, PeerIdentity } from './peer.js';
export type { AuthorizationConfig, RoleConfig, PermissionConfig, AuthorizeAction } from './authorizer.js';
export type { RetentionOptions } from './retention.js';
export { MetaProcedure, MetaTopic, MUTATING_META_PROCEDURES } from './meta-api.js';
export type { MetaApiConfig } from './meta-api.js';
export { LimitErrorUri, DEFAULT_SESSION_LIMITS } from './limits.js';
export type { SessionLimits } from './limits.js';
export { ROUTER_ROLES } from './features.js';
export { main as runCli, routerOptionsFromArgs } from './cli.js';

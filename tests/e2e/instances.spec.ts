import { describeInstanceWiring } from "./instance-wiring";

// Instance A (project "default"): base64url PKCE, OAuth errors as HTTP 400.
describeInstanceWiring();

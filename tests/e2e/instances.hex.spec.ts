import { describeInstanceWiring } from "./instance-wiring";

// Instance B (project "hex-pkce-200-errors"): hex PKCE, OAuth errors as HTTP 200.
describeInstanceWiring();

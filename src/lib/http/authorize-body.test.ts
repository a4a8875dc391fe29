import { describe, expect, it } from "vitest";
import { readAuthorizeBody } from "./authorize-body";

const ASKED = ["user.info.basic", "user.info.stats", "video.upload"];
const post = (body: string | undefined, contentType = "application/json") =>
  new Request("http://localhost/api/oauth/tiktok/authorize", { method: "POST", body, headers: body === undefined ? {} : { "Content-Type": contentType } });

describe("authorize route body (Grant permission)", () => {
  it("no body or {} is a plain connect; { scopes } with the provider's own scopes asks for them (once each)", async () => {
    expect(await readAuthorizeBody(post(undefined), ASKED)).toEqual({ scopes: undefined });
    expect(await readAuthorizeBody(post("{}"), ASKED)).toEqual({ scopes: undefined });
    expect(await readAuthorizeBody(post('{"scopes":["video.upload","video.upload","user.info.stats"]}'), ASKED)).toEqual({ scopes: ["video.upload", "user.info.stats"] });
  });

  it("S64: refuses a scope the provider does not ask for, an inherited key, extra members, wrong types, non-JSON and oversized bodies", async () => {
    for (const body of [
      '{"scopes":["video.publish"]}',
      '{"scopes":["constructor"]}',
      '{"scopes":["video.upload,video.publish"]}',
      '{"scopes":[]}',
      '{"scopes":"video.upload"}',
      '{"scopes":["video.upload"],"redirect_uri":"https://evil.example"}',
      "not json",
      JSON.stringify({ scopes: Array.from({ length: 200 }, () => "video.upload") }),
    ]) {
      expect(await readAuthorizeBody(post(body), ASKED), body.slice(0, 60)).toBeNull();
    }
    expect(await readAuthorizeBody(post('{"scopes":["video.upload"]}', "text/plain"), ASKED)).toBeNull();
  });
});

/// <reference types="vitest/config" />
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const THEME = "#0b5d4b";

export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src/sw",
      filename: "sw.ts",
      // Our own registration (src/app/updates.ts): prompt-style updates, no inline script (CSP).
      injectRegister: false,
      includeAssets: ["icons/apple-touch-icon.png"],
      manifest: {
        id: "/",
        name: "Couloir",
        short_name: "Couloir",
        description: "Meet the right people in the conference hallway.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#f6f5f1",
        theme_color: THEME,
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        // The QR decoder chunk is precached too: scanning a zone poster must work offline. (The manifest and
        // its icons are added by the plugin.)
        globPatterns: ["**/*.{js,css,html}"],
      },
    }),
  ],
  build: { target: "es2022" },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  preview: { proxy: { "/api": "http://127.0.0.1:8000" } },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});

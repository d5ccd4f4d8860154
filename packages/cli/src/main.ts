import { x } from "@stampede/protocol"; const y: number = x; console.log("hello", y, process.version);

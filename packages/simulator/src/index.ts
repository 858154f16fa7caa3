export type { Mp3Info, ParsedScore, WavInfo } from './audio/index.js'
export { parseMusicXml, readMp3Frames, readWavInfo, renderAudio } from './audio/index.js'
export type { LoggedRequest, Simulator, SimulatorOptions, TaskPlan } from './server.js'
export { startSimulator } from './server.js'

/** Bad input to the simulator (an option, a node name, a fault): the message names the field, value and fix. */
export class SimInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimInputError';
  }
}
